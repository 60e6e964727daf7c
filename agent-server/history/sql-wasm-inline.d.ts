// The sql.js build with its WebAssembly inlined: no .wasm file to locate at run time, so the
// same bundle runs under Zed's Node and VS Code's Electron.
declare module 'sql.js/dist/sql-wasm-inline.js' {
  import initSqlJs from 'sql.js';
  export default initSqlJs;
}
