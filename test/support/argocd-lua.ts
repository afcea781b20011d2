// Runs an Argo CD health script the way Argo CD does: a Lua state with only the base and table libraries (and a
// safe os, which these scripts do not use; see util/lua/lua.go of argo-cd), the object as the global `obj`.
// fengari is Lua 5.3 where Argo CD's gopher-lua is 5.1; the health scripts use nothing where the two differ.
import { lauxlib, lua, lualib, to_jsstring, to_luastring } from 'fengari';

function push(L: unknown, v: unknown): void {
  if (v === null || v === undefined) lua.lua_pushnil(L);
  else if (typeof v === 'boolean') lua.lua_pushboolean(L, v);
  else if (typeof v === 'number') lua.lua_pushnumber(L, v);
  else if (typeof v === 'string') lua.lua_pushstring(L, to_luastring(v));
  else if (Array.isArray(v)) {
    lua.lua_createtable(L, v.length, 0);
    v.forEach((item, i) => {
      push(L, item);
      lua.lua_rawseti(L, -2, i + 1);
    });
  } else {
    lua.lua_createtable(L, 0, 0);
    for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
      if (item === undefined) continue;
      push(L, item);
      lua.lua_setfield(L, -2, to_luastring(k));
    }
  }
}

/** The health the script returns for `obj`, or throws with the Lua error Argo CD would report. */
export function runHealthScript(script: string, obj: unknown): { status: string; message: string } {
  const L = lauxlib.luaL_newstate();
  for (const [name, open] of [['_G', lualib.luaopen_base], [lualib.LUA_TABLIBNAME, lualib.luaopen_table]] as const) {
    lauxlib.luaL_requiref(L, to_luastring(name), open, 1);
    lua.lua_pop(L, 1);
  }
  push(L, obj);
  lua.lua_setglobal(L, to_luastring('obj'));
  if (lauxlib.luaL_loadstring(L, to_luastring(script)) !== lua.LUA_OK || lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) {
    throw new Error(to_jsstring(lua.lua_tostring(L, -1)));
  }
  const field = (name: string) => {
    lua.lua_getfield(L, -1, to_luastring(name));
    const value = lua.lua_isstring(L, -1) ? to_jsstring(lua.lua_tostring(L, -1)) : '';
    lua.lua_pop(L, 1);
    return value;
  };
  return { status: field('status'), message: field('message') };
}
