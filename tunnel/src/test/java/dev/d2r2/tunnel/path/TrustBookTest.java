package dev.d2r2.tunnel.path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrustBookTest {
    @Test
    void indictmentsLowerTrustUntilThePeerIsRefusedAndAClearanceRestoresIt() {
        TrustBook book = new TrustBook(0.4, 0.5);
        assertThat(book.trust("b")).isEqualTo(1.0);
        book.indict("b");
        assertThat(book.trust("b")).isCloseTo(0.6, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(book.refused("b")).isFalse();
        book.indict("b");
        assertThat(book.refused("b")).isTrue();
        book.indict("b");
        book.indict("b");
        assertThat(book.trust("b")).isZero();
        book.restore("b");
        assertThat(book.refused("b")).isFalse();
        book.distrust("p1");
        assertThat(book.trust("p1")).isZero();
        assertThat(book.trust("p2")).isEqualTo(1.0);
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new TrustBook(0, 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TrustBook(0.5, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
