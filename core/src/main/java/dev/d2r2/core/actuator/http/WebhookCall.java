package dev.d2r2.core.actuator.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.d2r2.core.actuator.Action;
import dev.d2r2.core.config.ConfigLoader;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What the policy engine's webhook actuator posts and its command actuator writes on stdin:
 * {@code {"call":"deploy","id":...,"actuator":...,"op":...,"target":...,"params":{...},"expires":...}}.
 * Both ends use this one record, so the shape is written once and read strictly (unknown keys,
 * a missing op or target, or a call other than deploy and revoke are refused with the reason).
 */
public record WebhookCall(boolean deploy, Action action) {
    public static final String DEPLOY = "deploy";
    public static final String REVOKE = "revoke";
    private static final Set<String> KEYS = Set.of("call", "id", "actuator", "op", "target", "params", "expires");

    public static WebhookCall deploy(Action a) {
        return new WebhookCall(true, a);
    }

    public static WebhookCall revoke(Action a) {
        return new WebhookCall(false, a);
    }

    public String call() {
        return deploy ? DEPLOY : REVOKE;
    }

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("call", call());
        m.put("id", action.id());
        m.put("actuator", action.actuator());
        m.put("op", action.op());
        m.put("target", action.target());
        m.put("params", action.params());
        m.put("expires", action.expires());
        try {
            return ConfigLoader.json().writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an action as JSON", e);
        }
    }

    /** The call in {@code json}; an {@link IllegalArgumentException} says what is wrong with it. */
    public static WebhookCall parse(byte[] json) {
        JsonNode body;
        try {
            body = ConfigLoader.json().readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON");
        }
        return from(body);
    }

    /** The call in a parsed body; an {@link IllegalArgumentException} says what is wrong with it. */
    public static WebhookCall from(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("the body must be one JSON object");
        }
        for (Iterator<String> keys = body.fieldNames(); keys.hasNext(); ) {
            String k = keys.next();
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("unknown key " + k);
            }
        }
        String call = body.path("call").asText("");
        if (!call.equals(DEPLOY) && !call.equals(REVOKE)) {
            throw new IllegalArgumentException("call must be deploy or revoke");
        }
        if (!body.path("op").isTextual() || !body.path("target").isTextual()) {
            throw new IllegalArgumentException("op and target are required");
        }
        String op = body.get("op").asText();
        String target = body.get("target").asText();
        Action action = new Action(body.path("id").asText(op + "/" + target), body.path("actuator").asText(""), op, target,
                params(body.path("params")), body.path("expires").asLong(0));
        return new WebhookCall(call.equals(DEPLOY), action);
    }

    private static Map<String, String> params(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("params must be an object");
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isValueNode()) {
                throw new IllegalArgumentException("params." + e.getKey() + " must be a text or a number");
            }
            params.put(e.getKey(), e.getValue().asText());
        }
        return params;
    }
}
