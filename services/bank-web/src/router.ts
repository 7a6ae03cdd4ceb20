import { useEffect, useState } from 'preact/hooks';

// Three screens need no router library: the path is the state, history.pushState changes it.

export type Route =
  | { name: 'accounts' }
  | { name: 'account'; id: string }
  | { name: 'transfer'; from?: string }
  | { name: 'not-found' };

export function parseRoute(pathname: string, search: string): Route {
  if (pathname === '/' || pathname === '/accounts') return { name: 'accounts' };
  const account = /^\/accounts\/([0-9a-f-]{36})$/.exec(pathname);
  if (account?.[1]) return { name: 'account', id: account[1] };
  if (pathname === '/transfer') {
    const from = new URLSearchParams(search).get('from');
    return from ? { name: 'transfer', from } : { name: 'transfer' };
  }
  return { name: 'not-found' };
}

const listeners = new Set<() => void>();

export function navigate(path: string): void {
  if (path === location.pathname + location.search) return;
  history.pushState(null, '', path);
  for (const listener of listeners) listener();
}

export function useRoute(): Route {
  const read = () => parseRoute(location.pathname, location.search);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const update = () => setRoute(read());
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

/** A left click on a link without modifier keys: handle it here instead of loading a page. */
export function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
    return;
  const target = event.currentTarget as HTMLAnchorElement;
  event.preventDefault();
  navigate(target.pathname + target.search);
}
