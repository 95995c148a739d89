package dev.d2r2.policy.actuator;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.d2r2.core.actuator.Action;
import dev.d2r2.core.config.ConfigLoader;

import java.util.LinkedHashMap;
import java.util.Map;

/** What webhooks receive and commands read on stdin: {@code {"call":"deploy","id":...,"op":...}}. */
final class ActionJson {
    private ActionJson() {
    }

    static String of(String call, Action a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("call", call);
        m.put("id", a.id());
        m.put("actuator", a.actuator());
        m.put("op", a.op());
        m.put("target", a.target());
        m.put("params", a.params());
        m.put("expires", a.expires());
        try {
            return ConfigLoader.json().writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an action as JSON", e);
        }
    }
}
