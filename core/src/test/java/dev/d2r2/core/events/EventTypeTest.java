package dev.d2r2.core.events;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which event types a declared name covers: itself, a prefix family, or a pattern with named parts. */
class EventTypeTest {
    private static EventType named(String name) {
        return new EventType(name, EventType.Kind.MESSAGE, "p", "c", "s", List.of(), "doc", "{}");
    }

    @Test
    void aPlainNameCoversItselfOnly() {
        assertThat(named("monitor.heartbeat").isFamily()).isFalse();
        assertThat(named("monitor.heartbeat").matches("monitor.heartbeat")).isTrue();
        assertThat(named("monitor.heartbeat").matches("monitor.heartbeats")).isFalse();
    }

    @Test
    void aStarCoversEveryNameWithItsPrefix() {
        EventType resilience = named("resilience.*");
        assertThat(resilience.isFamily()).isTrue();
        assertThat(resilience.matches("resilience.mttr_s")).isTrue();
        assertThat(resilience.matches("resilience.")).isTrue();
        assertThat(resilience.matches("resilienc")).isFalse();
    }

    @Test
    void aPartInAngleBracketsCoversAnyNonEmptyText() {
        assertThat(named("<metric>").matches("tcp.connect_ms")).isTrue();
        assertThat(named("<metric>").matches("")).isFalse();
        EventType error = named("<probe>.error");
        assertThat(error.isFamily()).isTrue();
        assertThat(error.matches("nagios.check_tcp.error")).isTrue();
        assertThat(error.matches(".error")).isFalse();
        assertThat(error.matches("tcp.errors")).isFalse();
        assertThat(named("<probe>.<value>").matches("tcp.connect_ms")).isTrue();
        assertThat(named("<probe>.<value>").matches("tcp")).isFalse();
    }

    @Test
    void anUnclosedOrEmptyPartIsRefused() {
        assertThatThrownBy(() -> named("<probe.error")).hasMessageContaining("closing '>'");
        assertThatThrownBy(() -> named("<>.error")).hasMessageContaining("closing '>'");
    }
}
