import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './i18n';
import './styles.css';
import { App } from './App';
import { connectStation } from './api-client';

const station = connectStation();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App station={station} />
  </StrictMode>,
);
