/** Station messages in the screen's language (known patterns; anything else as sent). */
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { Alarm } from '../../shared/api';
import { messageKey } from '../../shared/message-keys';

export function useMessageText(): (message: string) => string {
  const { t } = useTranslation();
  return useCallback(
    (message: string) => {
      const k = messageKey(message);
      return k ? t(`messages.${k.key}`, k.params) : message;
    },
    [t],
  );
}

/** "PLC link down — PLC … not reachable: …" */
export function useAlarmText(): (a: Alarm) => string {
  const { t } = useTranslation();
  const msg = useMessageText();
  return useCallback((a: Alarm) => `${t(`alarmKind.${a.kind}`)} — ${msg(a.message)}`, [t, msg]);
}
