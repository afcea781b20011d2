// fengari ships no types; test/support/argocd-lua.ts is its only user.
declare module 'fengari';
