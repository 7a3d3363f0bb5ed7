package io.peering.routes.collector;

import io.peering.routes.config.CollectorConfig;
import io.smallrye.config.WithDefault;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A {@link CollectorConfig} for plain (non-Quarkus) tests: the given settings, every other one at
 * its {@code @WithDefault}, so a setting added later needs no change here.
 */
final class CollectorSettings {

    private CollectorSettings() {
    }

    /** @param settings method name to value, e.g. {@code "batchSize", 10} */
    static CollectorConfig with(Map<String, Object> settings) {
        return (CollectorConfig) Proxy.newProxyInstance(CollectorConfig.class.getClassLoader(),
                new Class<?>[] {CollectorConfig.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return method.getName().equals("toString") ? "CollectorSettings" + settings : method.invoke(settings, args);
                    }
                    return settings.containsKey(method.getName()) ? settings.get(method.getName()) : defaultOf(method);
                });
    }

    private static Object defaultOf(Method method) {
        WithDefault d = method.getAnnotation(WithDefault.class);
        if (d == null) {
            throw new IllegalStateException("CollectorConfig." + method.getName() + " has no default: give it to CollectorSettings");
        }
        Class<?> type = method.getReturnType();
        if (type == int.class) {
            return Integer.parseInt(d.value());
        } else if (type == long.class) {
            return Long.parseLong(d.value());
        } else if (type == Duration.class) {
            return Duration.parse(d.value());
        } else if (type == List.class) {
            return Arrays.asList(d.value().split(","));
        }
        return d.value().replace("${java.io.tmpdir}", System.getProperty("java.io.tmpdir"));
    }
}
