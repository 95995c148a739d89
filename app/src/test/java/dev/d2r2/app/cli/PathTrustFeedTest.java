package dev.d2r2.app.cli;

import dev.d2r2.core.EventCodec;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.tunnel.path.TrustInput;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Diagnosis and policy events as the multihomed endpoint's trust changes. */
class PathTrustFeedTest {
    private static final String DECISION = "{\"type\":\"policy.decision\",\"time\":1,\"source\":\"tunnel-path/distrust/p1\",\"attrs\":"
            + "{\"decision\":\"%s\",\"actuator\":\"%s\",\"op\":\"distrust\",\"target\":\"p1\",\"expires\":2,\"stamp\":1,"
            + "\"rule\":\"r\",\"modality\":\"prohibition\",\"subject\":\"p1\",\"context\":\"c\"}}";

    @Test
    void indictmentsClearancesAndDistrustDecisionsChangeTrust() throws Exception {
        assertThat(translate("{\"type\":\"diagnosis.indicted\",\"time\":1,\"source\":\"b\",\"attrs\":{\"group\":\"g\",\"distance\":0.6,"
                + "\"threshold\":0.3,\"votes\":4,\"voters\":5,\"effect\":5.2,\"metric\":\"m\",\"windows\":2}}"))
                .isEqualTo(new TrustInput("b", TrustInput.Change.INDICT));
        assertThat(translate("{\"type\":\"diagnosis.cleared\",\"time\":1,\"source\":\"b\",\"attrs\":{\"group\":\"g\"}}"))
                .isEqualTo(new TrustInput("b", TrustInput.Change.RESTORE));
        assertThat(translate(DECISION.formatted("deploy", "tunnel-path"))).isEqualTo(new TrustInput("p1", TrustInput.Change.DISTRUST));
        assertThat(translate(DECISION.formatted("revoke", "tunnel-path"))).isEqualTo(new TrustInput("p1", TrustInput.Change.RESTORE));
        assertThat(translate(DECISION.formatted("deploy", "sip-edge"))).as("another actuator's action").isNull();
        assertThat(translate("{\"type\":\"tunnel.status\",\"time\":1,\"source\":\"a\",\"attrs\":{}}")).isNull();
    }

    @Test
    void aMalformedIndictmentFailsClearly() {
        assertThatThrownBy(() -> translate("{\"type\":\"diagnosis.indicted\",\"time\":1,\"source\":\"b\",\"attrs\":{}}"))
                .isInstanceOf(EventFormatException.class);
    }

    private static TrustInput translate(String json) throws EventFormatException {
        return PathTrustFeed.translate(EventCodec.decode(json));
    }
}
