/** Numbers, sizes and times formatted for the UI locale with Intl. */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';

const INTL_LOCALE: Record<string, string> = { en: 'en-US', ko: 'ko-KR' };

export interface Formatters {
  locale: string;
  num: (v: number | null | undefined, digits?: number) => string;
  int: (v: number | null | undefined) => string;
  pct: (v: number) => string;
  ms: (v: number | null | undefined) => string;
  bytes: (v: number) => string;
  bytesPerSec: (v: number) => string;
  time: (ms: number) => string;
  dateTime: (ms: number) => string;
  clock: (ms: number) => string;
  ago: (ms: number | null, now: number) => string;
}

export function makeFormatters(lang: string): Formatters {
  const locale = INTL_LOCALE[lang] ?? lang;
  const nf = new Map<number, Intl.NumberFormat>();
  const numFmt = (digits: number) => {
    let f = nf.get(digits);
    if (!f)
      nf.set(
        digits,
        (f = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits })),
      );
    return f;
  };
  const pctFmt = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  const timeFmt = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const dateTimeFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'medium' });
  const clockFmt = new Intl.DateTimeFormat(locale, { minute: '2-digit', second: '2-digit' });
  const rel = new Intl.RelativeTimeFormat(locale, { numeric: 'always', style: 'short' });
  const unit = (v: number, units: string[]) => {
    let i = 0;
    while (Math.abs(v) >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return `${numFmt(i === 0 ? 0 : 1).format(v)} ${units[i]}`;
  };
  const dash = '–';
  return {
    locale,
    num: (v, digits = 1) =>
      v === null || v === undefined || !Number.isFinite(v) ? dash : numFmt(digits).format(v),
    int: (v) => (v === null || v === undefined || !Number.isFinite(v) ? dash : numFmt(0).format(v)),
    pct: (v) => pctFmt.format(v),
    ms: (v) =>
      v === null || v === undefined || !Number.isFinite(v) ? dash : `${numFmt(v < 10 ? 1 : 0).format(v)} ms`,
    bytes: (v) => unit(v, ['B', 'KiB', 'MiB', 'GiB']),
    bytesPerSec: (v) => unit(v, ['B/s', 'KiB/s', 'MiB/s', 'GiB/s']),
    time: (ms) => timeFmt.format(ms),
    dateTime: (ms) => dateTimeFmt.format(ms),
    clock: (ms) => clockFmt.format(ms),
    ago: (ms, now) => {
      if (ms === null) return dash;
      const s = (ms - now) / 1000;
      if (Math.abs(s) < 60) return rel.format(Number((Math.round(s * 10) / 10).toFixed(1)), 'second');
      if (Math.abs(s) < 3600) return rel.format(Math.round(s / 60), 'minute');
      return rel.format(Math.round(s / 3600), 'hour');
    },
  };
}

export function useFormat(): Formatters {
  const { i18n } = useTranslation();
  return useMemo(() => makeFormatters(i18n.language), [i18n.language]);
}
