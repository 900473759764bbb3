#!/usr/bin/env node
/**
 * The `contrastive` bin: the native backend, then `runCli` (run-cli.ts) over the process's
 * arguments; its exit code becomes the process's (2: a bad argument or file, one line on stderr;
 * 1: anything else, with the stack trace).
 */
import '../backend/register.js';
import { runCli } from './run-cli.js';

process.exitCode = await runCli(process.argv.slice(2));
