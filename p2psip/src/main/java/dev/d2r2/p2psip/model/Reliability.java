package dev.d2r2.p2psip.model;

/** Series and parallel composition of independent parts (ResumeNet D3.1b, Appendix B eqs. 9–10). */
public final class Reliability {
    private Reliability() {
    }

    /** Eq. 9: all k parts of reliability r work. */
    public static double series(double r, int k) {
        return Math.pow(r, k);
    }

    /** Eq. 10: at least one of k parts of reliability r works. */
    public static double parallel(double r, int k) {
        return -Math.expm1(k * Math.log1p(-r));
    }
}
