// Electron's entry (electron-vite builds it to out/main/index.js). The shell itself lives in
// src/main/shell so the layer lint can classify it like every other shell.
import './shell/electron-main';
