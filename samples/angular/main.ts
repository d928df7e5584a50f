/**
 * The browser entry: bootstraps the app, zoneless and compiled just in time (no Angular CLI,
 * no decorators, no zone.js), with one JSON-RPC connection to the server the page came from.
 * `server.ts` bundles this file with esbuild.
 */
import '@angular/compiler';
import { provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { provideJsonRpc } from 'rxjs-jsonrpc/angular';
import { App } from './app.js';

// The server the page came from (wss:// on an https:// page).
const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rpc`;

bootstrapApplication(App, {
  providers: [
    provideZonelessChangeDetection(),
    // Opened when first injected, reconnecting by default, closed with the app.
    provideJsonRpc({ url }),
  ],
}).catch((error: unknown) => console.error(error));
