package dev.d2r2.core.actuator.http;

import dev.d2r2.core.actuator.Action;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookCallTest {
    private static WebhookCall parse(String json) {
        return WebhookCall.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void whatTheActuatorWritesTheApiReadsBack() {
        Action a = new Action("edge/block/10.0.0.9", "edge", "block", "10.0.0.9", Map.of("duration", "60s"), 1_795_000_000_000L);
        assertThat(parse(WebhookCall.deploy(a).toJson())).isEqualTo(WebhookCall.deploy(a));
        assertThat(parse(WebhookCall.revoke(a).toJson())).isEqualTo(WebhookCall.revoke(a));
    }

    @Test
    void aMinimalCallNamesItsActionByOpAndTarget() {
        WebhookCall c = parse("{\"call\":\"deploy\",\"op\":\"scale-out\",\"target\":\"sip\",\"params\":{\"n\":2}}");
        assertThat(c.deploy()).isTrue();
        assertThat(c.action().id()).isEqualTo("scale-out/sip");
        assertThat(c.action().params()).containsEntry("n", "2");
    }

    @Test
    void refusesWhatIsNotACallWithTheReason() {
        assertThatThrownBy(() -> parse("not json")).hasMessage("not JSON");
        assertThatThrownBy(() -> parse("[1]")).hasMessage("the body must be one JSON object");
        assertThatThrownBy(() -> parse("{\"call\":\"deploy\",\"op\":\"x\",\"target\":\"y\",\"count\":5}")).hasMessage("unknown key count");
        assertThatThrownBy(() -> parse("{\"call\":\"undo\",\"op\":\"x\",\"target\":\"y\"}")).hasMessage("call must be deploy or revoke");
        assertThatThrownBy(() -> parse("{\"call\":\"deploy\",\"op\":\"x\"}")).hasMessage("op and target are required");
        assertThatThrownBy(() -> parse("{\"call\":\"deploy\",\"op\":\"x\",\"target\":\"y\",\"params\":{\"a\":[1]}}"))
                .hasMessage("params.a must be a text or a number");
    }
}
