/** newman ships no types; the Okta spec test types the small part of its API it uses. */
declare module 'newman';
