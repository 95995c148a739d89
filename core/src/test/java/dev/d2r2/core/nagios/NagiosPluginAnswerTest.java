package dev.d2r2.core.nagios;

import dev.d2r2.core.probe.ProbeException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A plugin that answers unknown is an answer; one that cannot answer is a ProbeException (with sh, no plugins needed). */
class NagiosPluginAnswerTest {
    @Test
    void aPluginThatAnswersUnknownIsAnAnswer() throws ProbeException {
        PluginOutput o = NagiosPlugin.answer(List.of("sh", "-c", "echo 'UNKNOWN - no data'; exit 3"), Duration.ofSeconds(10));
        assertThat(o.state()).isEqualTo(NagiosState.UNKNOWN);
        assertThat(o.text()).isEqualTo("UNKNOWN - no data");
    }

    @Test
    void aHungOrMissingPluginGivesNoAnswer() {
        assertThatThrownBy(() -> NagiosPlugin.answer(List.of("sh", "-c", "sleep 20"), Duration.ofMillis(300)))
                .isInstanceOf(ProbeException.class).hasMessage("plugin timed out after 300 ms");
        assertThatThrownBy(() -> NagiosPlugin.answer(List.of("/nonexistent/check_x"), Duration.ofSeconds(1)))
                .isInstanceOf(ProbeException.class).hasMessageStartingWith("cannot run /nonexistent/check_x");
        assertThat(NagiosPlugin.run(List.of("/nonexistent/check_x"), Duration.ofSeconds(1)).state())
                .as("run still makes it unknown").isEqualTo(NagiosState.UNKNOWN);
    }
}
