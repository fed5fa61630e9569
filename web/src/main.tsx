import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import '@mantine/dates/styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Badge, ColorInput, MantineProvider, Modal, createTheme, darken, type CSSVariablesResolver } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from 'react-router';
import { createQueryClient } from './api/queryClient';
import { SessionProvider } from './session';
import { router } from './router';

const queryClient = createQueryClient();

// Accessible colours (WCAG AA, checked by axe-core in web/e2e/a11y.serial.test.ts): shade 8 for
// filled and light variants and links, text on filled colours picked by contrast, and a darker
// "dimmed" grey than Mantine's (gray.6 is 3.3:1 on white).
const theme = createTheme({
  primaryColor: 'indigo',
  primaryShade: 8,
  autoContrast: true,
  // Black text on a filled colour wherever it contrasts better than white (the WCAG crossover).
  luminanceThreshold: 0.179,
  components: {
    ColorInput: ColorInput.extend({ defaultProps: { eyeDropperButtonProps: { 'aria-label': 'Pick a colour from the screen' } } }),
    // A dialog's × button has no text of its own: without a name a screen reader announces just "button".
    // A dialog's header is Mantine's <header>, which outside a section is a banner landmark: with the
    // app's own header that is two banners (axe-core's landmark-no-duplicate-banner, landmark-unique).
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
    ModalHeader: Modal.Header.extend({ defaultProps: { role: 'presentation' } }),
    // A badge is a short label: never cut to "INSPECTOR READY: NOT…" or "R…" when a table column is
    // squeezed on a phone (the table scrolls instead). Sentences belong in Text, which wraps.
    Badge: Badge.extend({ styles: { root: { minWidth: 'max-content' } } }),
  },
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
});

const cssVariablesResolver: CSSVariablesResolver = (t) => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': t.colors.gray[7],
    '--mantine-color-placeholder': '#6c757d',
    '--mantine-color-anchor': t.colors.indigo[8],
    // A field's error message and red border: Mantine's red.6 is 3.3:1 on white, red.9 is 5.4:1.
    '--mantine-color-error': t.colors.red[9],
    // Text of light variants (badges, light buttons, alert titles) dark enough on their tinted background.
    ...Object.fromEntries(Object.keys(t.colors).map((c) => [`--mantine-color-${c}-light-color`, darken(t.colors[c]![9], 0.25)])),
  },
  dark: {},
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="light">
      <Notifications position="top-right" />
      <QueryClientProvider client={queryClient}>
        <SessionProvider>
          <RouterProvider router={router} />
        </SessionProvider>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
