package dev.d2r2.core.nagios;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PluginOutputTest {
    @Test
    void parsesTextAndPerformanceData() {
        PluginOutput o = PluginOutput.parse(1, "DISK WARNING - free space: /tmp 3326 MB (56%) | /tmp=2643MB;5948;5958;0;5968 'free %'=56%;;;0;100\n");
        assertThat(o.state()).isEqualTo(NagiosState.WARNING);
        assertThat(o.text()).isEqualTo("DISK WARNING - free space: /tmp 3326 MB (56%)");
        assertThat(o.perfData()).containsExactly(
                new PerfData("/tmp", 2643, "MB", "5948", "5958", 0.0, 5968.0),
                new PerfData("free %", 56, "%", null, null, 0.0, 100.0));
        assertThat(o.malformedPerfData()).isZero();
    }

    @Test
    void longTextCarriesMorePerformanceData() {
        PluginOutput o = PluginOutput.parse(0, """
                OK - all good | a=1
                line two
                line three | b=2.5s;@1:3;~:10
                c=3c
                """);
        assertThat(o.longText()).isEqualTo("line two\nline three");
        assertThat(o.perfData()).extracting(PerfData::label).containsExactly("a", "b", "c");
        assertThat(o.perfData().get(1).warn()).isEqualTo("@1:3");
        assertThat(o.perfData().get(1).crit()).isEqualTo("~:10");
        assertThat(o.perfData().get(2).unit()).isEqualTo("c");
    }

    @Test
    void quotedLabelsAndGarbageAreHandled() {
        PluginOutput o = PluginOutput.parse(2, "CRIT | 'it''s here'=5 junk =7 x=abc y=4;;;")
                ;
        assertThat(o.perfData()).extracting(PerfData::label).containsExactly("it's here", "y");
        assertThat(o.malformedPerfData()).isEqualTo(3);
    }

    @Test
    void unknownExitCodesAreUnknown() {
        assertThat(PluginOutput.parse(137, "").state()).isEqualTo(NagiosState.UNKNOWN);
        assertThat(PluginOutput.parse(-1, null).state()).isEqualTo(NagiosState.UNKNOWN);
    }

    @Test
    void labelsBecomeAttributeKeys() {
        assertThat(PluginOutput.sanitize("free %")).isEqualTo("free__");
    }

    @Property(tries = 2000)
    void neverThrows(@ForAll int exit, @ForAll String output) {
        PluginOutput o = PluginOutput.parse(exit, output);
        assertThat(o.text()).isNotNull();
        assertThat(o.malformedPerfData()).isNotNegative();
    }
}
