import { test, expect } from '@playwright/test';
import mqtt, { type MqttClient } from 'mqtt';
import { Mosquitto } from '../helpers/mosquitto';
import { freePort, openStation, openTab, screenshotPath, startServe, type Served } from './ui-steps';

// A real broker, the station under test (serve, MQTT off at start) and one other station
// publishing its retained status with a last will, as the documented topics describe it.
let broker: Mosquitto;
let served: Served;
let peer: MqttClient;
let peerTimer: NodeJS.Timeout | undefined;
test.beforeAll(async () => {
  broker = await Mosquitto.start();
  served = await startServe({ source: 'synthetic:?size=1280x720&fps=15', model: 'classic' });
  peer = mqtt.connect(broker.url, {
    reconnectPeriod: 0,
    will: {
      topic: 'plant/press2/status',
      payload: Buffer.from(
        JSON.stringify({ online: false, station: 'press2', cameras: ['top', 'side'], reason: 'lost' }),
      ),
      qos: 1,
      retain: true,
    },
  });
  await new Promise<void>((resolve, reject) => {
    peer.once('connect', () => resolve());
    peer.once('error', reject);
  });
  const startedAtMs = Date.now();
  const publish = () =>
    peer.publishAsync(
      'plant/press2/status',
      JSON.stringify({
        online: true,
        station: 'press2',
        cameras: ['top', 'side'],
        fps: 9.5,
        alarms: ['plcDown'],
        model: 'bolts',
        startedAtMs,
        timeMs: Date.now(),
      }),
      { qos: 1, retain: true },
    );
  await publish();
  // Like a running station, it says it is alive every 2 s (a silent one turns "Silent" in the list).
  peerTimer = setInterval(() => void publish().catch(() => undefined), 2000);
});
test.afterAll(async () => {
  clearInterval(peerTimer);
  peer?.end(true);
  await served?.close();
  await broker?.dispose();
});
test.use({ viewport: { width: 1366, height: 768 } });

test('an administrator sets MQTT and OPC UA in Settings; the Fleet tab lists the other station and shows it lost', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await openStation(page, served.url);

  // Before MQTT is on, the fleet tab says where to switch it on.
  await page.getByTestId('tab-fleet').click();
  await expect(page.getByTestId('fleet-off')).toBeVisible();

  await openTab(page, 'settings');
  const mqttPart = page.getByTestId('integration-mqtt');
  await expect(mqttPart.getByTestId('mqtt-state')).toHaveAttribute('data-state', 'off');
  await mqttPart.getByTestId('mqtt-url').fill('mqtt://broker.invalid:1883?prefix=x');
  await mqttPart.getByTestId('mqtt-enabled').check();
  await mqttPart.getByTestId('mqtt-apply').click();
  // Refused at the boundary with the reason; nothing changed.
  await expect(mqttPart.getByTestId('mqtt-error')).toContainText(
    'prefix, station and rate have their own fields',
  );
  await expect(mqttPart.getByTestId('mqtt-state')).toHaveAttribute('data-state', 'off');

  await mqttPart.getByTestId('mqtt-url').fill(broker.url);
  await mqttPart.getByTestId('mqtt-prefix').fill('plant');
  await mqttPart.getByTestId('mqtt-station').fill('line1');
  await mqttPart.getByTestId('mqtt-rate').fill('5');
  await mqttPart.getByTestId('mqtt-apply').click();
  await expect(mqttPart.getByTestId('mqtt-state')).toHaveAttribute('data-state', 'connected', {
    timeout: 20_000,
  });
  await expect(mqttPart.getByTestId('mqtt-where')).toContainText(`${broker.url} · plant/line1/`);

  const opcuaPart = page.getByTestId('integration-opcua');
  const port = await freePort();
  await opcuaPart.getByTestId('opcua-port').fill(String(port));
  await opcuaPart.getByTestId('opcua-security-none').click();
  await opcuaPart.getByTestId('opcua-enabled').check();
  await opcuaPart.getByTestId('opcua-apply').click();
  await expect(opcuaPart.getByTestId('opcua-state')).toHaveAttribute('data-state', 'listening', {
    timeout: 60_000,
  });
  await expect(opcuaPart.getByTestId('opcua-endpoint')).toContainText(`:${port}`);
  await mqttPart.scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath('fleet-settings-mqtt.png') });
  await opcuaPart.scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath('fleet-settings-opcua.png') });

  // Both running: no integration alarm is active.
  await openTab(page, 'alarms');
  await expect(page.locator('[data-kind="mqttDown"][data-active="true"]')).toHaveCount(0);
  await expect(page.locator('[data-kind="opcuaFailed"][data-active="true"]')).toHaveCount(0);
  await page.screenshot({ path: screenshotPath('fleet-alarms.png') });

  await page.getByTestId('tab-fleet').click();
  await expect(page.getByTestId('fleet-watching')).toHaveText(`${broker.url} plant/#`);
  const press2 = page.getByTestId('fleet-press2');
  const self = page.getByTestId('fleet-line1');
  await expect(press2).toHaveAttribute('data-state', 'online', { timeout: 20_000 });
  await expect(self).toHaveAttribute('data-state', 'online', { timeout: 20_000 });
  await expect(press2).toContainText('top, side');
  await expect(press2).toContainText('9.5');
  await expect(press2).toContainText('PLC link down');
  await page.screenshot({ path: screenshotPath('fleet-online.png') });

  // The other station dies without a goodbye: the broker publishes its last will.
  clearInterval(peerTimer);
  peer.stream.destroy();
  await expect(press2).toHaveAttribute('data-state', 'offline', { timeout: 20_000 });
  await expect(press2).toContainText('Lost');
  await expect(self).toHaveAttribute('data-state', 'online');
  await page.screenshot({ path: screenshotPath('fleet-peer-lost.png') });
});
