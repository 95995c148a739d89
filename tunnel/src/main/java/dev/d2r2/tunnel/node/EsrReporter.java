package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.wire.Control;
import dev.d2r2.tunnel.wire.PacketMac;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;

/**
 * A DN's reports to its edge service router: every EN address it carries, in one authenticated
 * {@link Control.Carriers} frame, sent at once when the set changes and again every
 * {@code report-every}, so a lost report is made good and a silent DN is noticed. Used by the DN's
 * role thread only.
 */
final class EsrReporter {
    private static final Logger LOG = LoggerFactory.getLogger(EsrReporter.class);
    private final String dn;
    private final DatagramChannel channel;
    private final Peer esr;
    private final long everyMillis;
    private final PacketMac mac;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(2048);
    private long nextAt;
    private boolean changed = true;
    private boolean overflowing;

    EsrReporter(String dn, EsrLink link, PacketMac mac, DatagramChannel channel) {
        this.dn = dn;
        this.channel = channel;
        this.everyMillis = link.reportEveryMillis();
        this.esr = new Peer("esr", link.endpoint(), link.tunnel(), 0, null);
        // the ESR takes only reports newer than the last it accepted from this DN; starting from the wall clock's
        // milliseconds puts a restarted DN's numbers after its last life's (it reports far less than once a millisecond)
        esr.sequence.set((int) System.currentTimeMillis());
        this.mac = mac;
    }

    void changed() {
        changed = true;
    }

    long nextDueMillis() {
        return changed ? 0 : nextAt;
    }

    /** Whether a report is due: the set changed or the period has passed. */
    boolean due(long now) {
        return changed || now >= nextAt;
    }

    void report(long now, List<Integer> carried) throws IOException {
        changed = false;
        nextAt = now + everyMillis;
        boolean full = carried.size() > Control.MAX_CARRIED;
        if (full && !overflowing) {
            LOG.warn("{}: carrying {} ENs, more than the {} one report holds; the ESR hears of the first {}", dn, carried.size(),
                    Control.MAX_CARRIED, Control.MAX_CARRIED);
        }
        overflowing = full;
        List<Integer> sent = full ? carried.subList(0, Control.MAX_CARRIED) : carried;
        try {
            DataPath.sendControl(channel, scratch, esr, mac, new Control.Carriers(dn, sent));
        } catch (IOException e) {
            if (!channel.isOpen()) {
                throw e;
            }
            LOG.debug("{}: cannot reach the ESR: {}", dn, e.toString());
        }
    }
}
