/**
 * The one navigation item for a location: the longest item path that is the location or a parent
 * of it, so `/signin/groups/1` highlights Groups and not also the area's landing page `/signin`.
 */
export function currentNavPath(paths: readonly string[], pathname: string): string | undefined {
  return paths.filter((to) => pathname === to || pathname.startsWith(`${to}/`)).sort((a, b) => b.length - a.length)[0];
}
