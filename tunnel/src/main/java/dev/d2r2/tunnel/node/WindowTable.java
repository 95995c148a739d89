package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.wire.ReplayWindow;

/**
 * A DN's replay windows by tunnel id, owned by its UDP reader: an open-addressing table that
 * grows only when an authenticated frame brings a tunnel id it has not seen, so the first hello
 * of a session is already in its EN's window. A look-up allocates nothing.
 */
final class WindowTable {
    private final long forgetAfterNanos;
    private int[] ids = new int[64];
    private ReplayWindow[] windows = new ReplayWindow[64];
    private int size;

    WindowTable(long forgetAfterNanos) {
        this.forgetAfterNanos = forgetAfterNanos;
    }

    ReplayWindow windowFor(int tunnelId) {
        int mask = ids.length - 1;
        int i = (tunnelId * 0x9E3779B9 >>> 16) & mask;
        while (windows[i] != null) {
            if (ids[i] == tunnelId) {
                return windows[i];
            }
            i = (i + 1) & mask;
        }
        ReplayWindow w = new ReplayWindow(forgetAfterNanos);
        ids[i] = tunnelId;
        windows[i] = w;
        if (++size * 2 > ids.length) {
            grow();
        }
        return w;
    }

    private void grow() {
        int[] oldIds = ids;
        ReplayWindow[] oldWindows = windows;
        ids = new int[oldIds.length * 2];
        windows = new ReplayWindow[oldIds.length * 2];
        int mask = ids.length - 1;
        for (int j = 0; j < oldIds.length; j++) {
            if (oldWindows[j] != null) {
                int i = (oldIds[j] * 0x9E3779B9 >>> 16) & mask;
                while (windows[i] != null) {
                    i = (i + 1) & mask;
                }
                ids[i] = oldIds[j];
                windows[i] = oldWindows[j];
            }
        }
    }
}
