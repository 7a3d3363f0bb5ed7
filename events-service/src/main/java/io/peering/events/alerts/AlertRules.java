package io.peering.events.alerts;

import io.peering.events.EventType;
import io.peering.events.PrefixEvent;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The alert rules and receivers of {@link AlertsConfig}, checked at start-up: a wrong setting stops the
 * service with a message naming it.
 */
@Startup
@Singleton
public class AlertRules {

    private static final String PREFIX = "peering.alerts.";

    private final List<AlertRule> rules;
    private final Map<String, Receiver> receivers;
    private final AlertsConfig config;

    public AlertRules(AlertsConfig config) {
        this.config = config;
        this.receivers = receivers(config);
        this.rules = rules(config, receivers);
        positive("one-shot-duration", config.oneShotDuration());
        positive("resend-every", config.resendEvery());
        positive("retry-initial-delay", config.retryInitialDelay());
        positive("retry-max-delay", config.retryMaxDelay());
        positive("request-timeout", config.requestTimeout());
        positive("send-every", config.sendEvery());
        if (config.batchSize() < 1) {
            throw bad("batch-size", "must be at least 1; got " + config.batchSize());
        }
    }

    public AlertsConfig config() {
        return config;
    }

    public List<AlertRule> rules() {
        return rules;
    }

    public Map<String, Receiver> receivers() {
        return receivers;
    }

    /** The rules {@code event} matches, in name order. */
    public List<AlertRule> matching(PrefixEvent event) {
        List<AlertRule> matching = new ArrayList<>();
        for (AlertRule r : rules) {
            if (r.matches(event)) {
                matching.add(r);
            }
        }
        return matching;
    }

    private static Map<String, Receiver> receivers(AlertsConfig config) {
        Map<String, Receiver> receivers = new LinkedHashMap<>();
        new TreeMap<>(config.receivers()).forEach((name, r) -> {
            String at = "receivers." + name + ".";
            Receiver.Kind kind = Arrays.stream(Receiver.Kind.values()).filter(k -> k.configName.equals(r.type())).findFirst()
                    .orElseThrow(() -> bad(at + "type", "unknown receiver type \"" + r.type() + "\"; the types are alertmanager, webhook"));
            URI url = url(at + "url", r.url());
            String secret = r.secret().orElse("");
            if (kind == Receiver.Kind.WEBHOOK && secret.isBlank()) {
                throw bad(at + "secret", "a webhook needs a secret to sign its bodies with");
            }
            URI endpoint = kind == Receiver.Kind.ALERTMANAGER
                    ? URI.create(r.url().replaceAll("/+$", "") + "/api/v2/alerts")
                    : url;
            receivers.put(name, new Receiver(name, kind, endpoint, secret));
        });
        return Map.copyOf(receivers);
    }

    private static URI url(String setting, String value) {
        URI url;
        try {
            url = new URI(value);
        } catch (URISyntaxException e) {
            throw bad(setting, "is not a URL (" + e.getMessage() + ")");
        }
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
            throw bad(setting, "must be an http:// or https:// URL with a host; got \"" + value + "\"");
        }
        return url;
    }

    private static List<AlertRule> rules(AlertsConfig config, Map<String, Receiver> receivers) {
        List<AlertRule> rules = new ArrayList<>();
        new TreeMap<>(config.rules()).forEach((name, r) -> {
            String at = "rules." + name + ".";
            Set<EventType> types = new LinkedHashSet<>();
            for (String t : r.types().orElse(List.of())) {
                try {
                    types.add(EventType.ofAzureName(t.trim()));
                } catch (IllegalArgumentException e) {
                    throw bad(at + "types", e.getMessage());
                }
            }
            Set<EventType.Level> levels = new LinkedHashSet<>();
            for (String l : r.levels().orElse(List.of())) {
                levels.add(level(at + "levels", l.trim()));
            }
            if (types.isEmpty() && levels.isEmpty()) {
                throw bad(at + "types", "the rule names no event types and no levels (set " + PREFIX + at + "types and/or "
                        + PREFIX + at + "levels)");
            }
            Set<String> peerings = names(at + "peerings", r.peerings(), "peerings/");
            Set<String> services = names(at + "peering-services", r.peeringServices(), "peeringServices/");
            if (r.forDuration().isNegative()) {
                throw bad(at + "for", "must not be negative; got " + r.forDuration());
            }
            List<String> to = r.receivers().orElse(List.of()).stream().map(String::trim).distinct().toList();
            if (to.isEmpty()) {
                throw bad(at + "receivers", "the rule names no receivers");
            }
            for (String receiver : to) {
                if (!receivers.containsKey(receiver)) {
                    throw bad(at + "receivers", "no receiver \"" + receiver + "\" (" + PREFIX + "receivers." + receiver
                            + ".* is not set); the receivers are " + new TreeMap<>(receivers).keySet());
                }
            }
            rules.add(new AlertRule(name, Set.copyOf(types), Set.copyOf(levels), peerings, services, r.forDuration(), to));
        });
        return List.copyOf(rules);
    }

    private static EventType.Level level(String setting, String name) {
        for (EventType.Level l : EventType.Level.values()) {
            if (l.name().equalsIgnoreCase(name)) {
                return l;
            }
        }
        throw bad(setting, "unknown level \"" + name + "\"; the levels are Information, Warning, Error, Critical");
    }

    private static Set<String> names(String setting, Optional<List<String>> values, String prefix) {
        Set<String> names = new LinkedHashSet<>();
        for (String v : values.orElse(List.of())) {
            String name = v.trim();
            if (!name.startsWith(prefix) || name.length() == prefix.length()) {
                throw bad(setting, "\"" + name + "\" is not a resource name " + prefix + "{name}");
            }
            names.add(name);
        }
        return Set.copyOf(names);
    }

    private static void positive(String setting, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw bad(setting, "must be positive; got " + d);
        }
    }

    private static IllegalArgumentException bad(String setting, String why) {
        return new IllegalArgumentException(PREFIX + setting + ": " + why);
    }

    /** A level as Azure spells it: Information, Warning, Error, Critical. */
    static String levelName(EventType.Level level) {
        return level.name().charAt(0) + level.name().substring(1).toLowerCase(Locale.ROOT);
    }
}
