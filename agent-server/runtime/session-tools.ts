import type { AnyTool } from '../tools/types.js';
import { readFileTool } from '../tools/read-file.js';
import { writeFileTool } from '../tools/write-file.js';
import { editFileTool } from '../tools/edit-file.js';
import { searchFilesTool } from '../tools/search-files.js';
import { todoTool } from '../tools/todo.js';

/** The file, search and plan tools every session has. */
export function coreTools(): AnyTool[] {
  return [readFileTool, writeFileTool, editFileTool, searchFilesTool, todoTool];
}
