package io.peering.events.alerts;

import io.peering.support.testing.FreePort;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The receivers of {@link AlertsTestProfile}: a real Alertmanager, started here when it is installed, and
 * a webhook port on which each test starts (or, to play a receiver that is down, does not start) its
 * {@link WebhookReceiver}.
 */
public class AlertReceiversResource implements QuarkusTestResourceLifecycleManager {

    public static final String WEBHOOK_SECRET = "test-webhook-secret";

    public static volatile int webhookPort;
    public static volatile Alertmanager alertmanager;

    @Override
    public Map<String, String> start() {
        try {
            webhookPort = FreePort.pick();
            int alertmanagerPort = FreePort.pick();
            if (Alertmanager.installed()) {
                alertmanager = Alertmanager.start(alertmanagerPort);
            }
            Map<String, String> config = new HashMap<>();
            config.put("peering.alerts.receivers.am.type", "alertmanager");
            config.put("peering.alerts.receivers.am.url", "http://127.0.0.1:" + alertmanagerPort);
            config.put("peering.alerts.receivers.hook.type", "webhook");
            config.put("peering.alerts.receivers.hook.url", "http://127.0.0.1:" + webhookPort + "/alerts");
            config.put("peering.alerts.receivers.hook.secret", WEBHOOK_SECRET);
            return config;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the alert receivers", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (alertmanager != null) {
            try {
                alertmanager.stop();
            } catch (IOException e) {
                throw new IllegalStateException("cannot stop alertmanager", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
