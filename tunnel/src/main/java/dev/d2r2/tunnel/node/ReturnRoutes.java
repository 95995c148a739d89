package dev.d2r2.tunnel.node;

import java.io.IOException;

/** The ESR's return routes: one /32 per EN address, through the DN that carries it. */
interface ReturnRoutes {
    void replace(int address, String via) throws IOException;

    void remove(int address) throws IOException;
}
