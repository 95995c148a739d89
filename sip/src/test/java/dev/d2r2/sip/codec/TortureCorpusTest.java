package dev.d2r2.sip.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every message of the RFC 4475 and RFC 5118 torture corpus, as a datagram and split across
 * stream reads: the verdict the edge reaches for each (forward, answer with a status, or drop),
 * per the corpus's MANIFEST.tsv.
 */
public class TortureCorpusTest {
    private static final Path CORPUS = Path.of("src", "test", "resources", "sip-torture");

    public static byte[] read(String file) {
        try {
            return Files.readAllBytes(CORPUS.resolve(file));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', value = {
            "wsinv.dat|forward", "intmeth.dat|forward", "esc01.dat|forward", "escnull.dat|forward", "esc02.dat|forward",
            "lwsdisp.dat|forward", "longreq.dat|forward", "dblreq.dat|forward", "semiuri.dat|forward",
            "transports.dat|forward", "mpart01.dat|forward", "unreason.dat|forward", "noreason.dat|forward",
            "badinv01.dat|400", "clerr.dat|400", "ncl.dat|400", "scalar02.dat|400", "scalarlg.dat|drop", "quotbal.dat|400",
            "ltgtruri.dat|400", "lwsruri.dat|400", "lwsstart.dat|400", "trws.dat|400", "escruri.dat|400",
            "baddate.dat|forward", "regbadct.dat|400", "badaspec.dat|400", "baddn.dat|400", "badvers.dat|505",
            "mismatch01.dat|400", "mismatch02.dat|400", "bigcode.dat|drop", "badbranch.dat|forward", "insuf.dat|400",
            "unkscm.dat|416", "novelsc.dat|416", "unksm2.dat|forward", "bext01.dat|420", "invut.dat|forward",
            "regaut01.dat|forward", "multi01.dat|400", "mcl01.dat|400", "bcast.dat|forward", "zeromf.dat|483",
            "cparam01.dat|forward", "cparam02.dat|forward", "regescrt.dat|forward", "sdp01.dat|forward",
            "inv2543.dat|forward",
            "rfc5118/ipv6-good|forward", "rfc5118/ipv6-bad|400", "rfc5118/port-ambiguous|forward",
            "rfc5118/port-unambiguous|forward", "rfc5118/via-received-param-with-delim|forward",
            "rfc5118/via-received-param-no-delim|forward", "rfc5118/ipv6-in-sdp|forward",
            "rfc5118/mult-ip-in-header|forward", "rfc5118/mult-ip-in-sdp|forward", "rfc5118/ipv4-mapped-ipv6|forward",
            "rfc5118/ipv6-bug-abnf-3-colons|forward", "rfc5118/ipv6-correct-abnf-2-colons|forward",
    })
    void eachTortureMessageGetsTheVerdictItsRfcExpects(String file, String expected) {
        byte[] bytes = read(file);
        Verdict v = SipChecks.check(SipParser.datagram(bytes, 0, bytes.length));
        switch (expected) {
            case "forward" -> assertThat(v.kind()).as(v.toString()).isEqualTo(Verdict.Kind.FORWARD);
            case "drop" -> assertThat(v.kind()).as(v.toString()).isEqualTo(Verdict.Kind.DROP);
            default -> {
                assertThat(v.kind()).as(v.toString()).isEqualTo(Verdict.Kind.RESPOND);
                assertThat(v.status()).as(v.toString()).isEqualTo(Integer.parseInt(expected));
            }
        }
    }

    @Test
    void theTableCoversEveryMessageOfTheManifest() throws IOException {
        List<String> manifest;
        try (Stream<String> lines = Files.lines(CORPUS.resolve("MANIFEST.tsv"))) {
            manifest = lines.skip(1).map(l -> l.substring(0, l.indexOf('\t'))).toList();
        }
        assertThat(manifest).hasSize(61);
        assertThat(manifest).allSatisfy(f -> assertThat(CORPUS.resolve(f)).exists());
    }
}
