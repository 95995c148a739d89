package dev.d2r2.p2psip.model;

import java.util.Locale;

/**
 * The seed's Figure 13 redrawn as SVG: the overhead (m + pq) / m0 of tunnels of p = 1, 2, 3 hops
 * against µ, with the ceilings relaxed, on a logarithmic axis (the seed's figures are not in its
 * text, so this is their reconstruction from eqs. 12–18).
 */
public final class OverheadPlot {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 400;
    private static final int LEFT = 60;
    private static final int BOTTOM = 40;
    private static final int TOP = 20;
    private static final double MAX_LOG = 3;
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c"};

    private OverheadPlot() {
    }

    public static String svg(TunnelModel model) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                WIDTH, HEIGHT));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"14\">Pr2-P2PSIP overhead (m + pq) / m0 against µ, R̄ = %s</text>%n",
                LEFT, model.target()));
        for (int decade = 0; decade <= MAX_LOG; decade++) {
            double y = y(Math.pow(10, decade));
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>%n", LEFT, y, WIDTH - 10, y, LEFT - 6, y + 4, (int) Math.pow(10, decade)));
        }
        for (int tenth = 0; tenth <= 10; tenth += 2) {
            double x = x(tenth / 10.0);
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.1f</text>%n", x, HEIGHT - BOTTOM + 16, tenth / 10.0));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">µ</text>%n", (LEFT + WIDTH) / 2, HEIGHT - 6));
        for (int p = 1; p <= 3; p++) {
            b.append("<polyline fill=\"none\" stroke=\"").append(COLOURS[p - 1]).append("\" stroke-width=\"2\" points=\"");
            for (int step = 5; step <= 99; step++) {
                double mu = step / 100.0;
                double overhead = model.continuousCost(mu, p) / model.continuousCost(mu, 0);
                if (Math.log10(overhead) <= MAX_LOG) {
                    b.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(mu), y(overhead)));
                }
            }
            b.append("\"/>\n");
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">p = %d</text>%n", WIDTH - 70, TOP + 20 * p, COLOURS[p - 1], p));
        }
        return b.append("</svg>\n").toString();
    }

    private static double x(double mu) {
        return LEFT + mu * (WIDTH - LEFT - 10);
    }

    private static double y(double overhead) {
        return HEIGHT - BOTTOM - Math.log10(overhead) / MAX_LOG * (HEIGHT - BOTTOM - TOP);
    }
}
