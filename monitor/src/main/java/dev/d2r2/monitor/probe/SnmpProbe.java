package dev.d2r2.monitor.probe;

import dev.d2r2.core.probe.Measurement;
import dev.d2r2.core.probe.Probe;
import dev.d2r2.core.probe.ProbeException;
import dev.d2r2.monitor.ProbeConfig;
import dev.d2r2.monitor.ProbeKind;
import dev.d2r2.monitor.SnmpOptions;
import org.snmp4j.CommunityTarget;
import org.snmp4j.PDU;
import org.snmp4j.ScopedPDU;
import org.snmp4j.Snmp;
import org.snmp4j.Target;
import org.snmp4j.UserTarget;
import org.snmp4j.event.ResponseEvent;
import org.snmp4j.mp.MPv1;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.MPv3;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.security.AuthHMAC192SHA256;
import org.snmp4j.security.AuthMD5;
import org.snmp4j.security.AuthSHA;
import org.snmp4j.security.PrivAES128;
import org.snmp4j.security.PrivDES;
import org.snmp4j.security.SecurityLevel;
import org.snmp4j.security.SecurityProtocols;
import org.snmp4j.security.USM;
import org.snmp4j.security.UsmUser;
import org.snmp4j.smi.Counter32;
import org.snmp4j.smi.Counter64;
import org.snmp4j.smi.GenericAddress;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;
import org.snmp4j.MessageDispatcherImpl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code kind: snmp}: GETs named OIDs from an SNMP agent (v2c, or v3 authPriv) with SNMP4J.
 * Gauges, integers and time ticks are reported as read; counters (Counter32/64) as rates per
 * second between two samples (wraps of 32-bit counters accounted for), named after their OID's
 * name. All probes share one SNMP session (one UDP socket).
 */
public final class SnmpProbe implements Probe {
    private final String address;
    private final SnmpOptions options;
    private final Map<String, OID> oids;
    private final Map<String, long[]> lastCounters = new HashMap<>();

    SnmpProbe(String address, SnmpOptions options, Map<String, OID> oids) {
        this.address = address;
        this.options = options;
        this.oids = oids;
        if (options.version().equals("3")) {
            Session.INSTANCE.addUser(options);
        }
    }

    /** The shared SNMP session. */
    private enum Session {
        INSTANCE;

        final Snmp snmp;
        final USM usm;

        Session() {
            try {
                SecurityProtocols protocols = SecurityProtocols.getInstance().addDefaultProtocols();
                // SNMP4J no longer adds the SHA-1 and MD5 protocols by default; agents in the field still use them.
                protocols.addAuthenticationProtocol(new AuthSHA());
                protocols.addAuthenticationProtocol(new AuthMD5());
                protocols.addPrivacyProtocol(new PrivDES());
                protocols.addPrivacyProtocol(new PrivAES128());
                usm = new USM(protocols, new OctetString(MPv3.createLocalEngineID()), 0);
                MessageDispatcherImpl dispatcher = new MessageDispatcherImpl();
                dispatcher.addMessageProcessingModel(new MPv1());
                dispatcher.addMessageProcessingModel(new MPv2c());
                dispatcher.addMessageProcessingModel(new MPv3(usm));
                snmp = new Snmp(dispatcher, new DefaultUdpTransportMapping());
                snmp.listen();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open an SNMP socket", e);
            }
        }

        synchronized void addUser(SnmpOptions o) {
            OID auth = switch (o.auth()) {
                case "SHA" -> AuthSHA.ID;
                case "SHA256" -> AuthHMAC192SHA256.ID;
                default -> AuthMD5.ID;
            };
            OID priv = o.priv().equals("AES") ? PrivAES128.ID : PrivDES.ID;
            usm.addUser(new OctetString(o.user()), new UsmUser(new OctetString(o.user()), auth,
                    new OctetString(o.authPassword()), priv, new OctetString(o.privPassword())));
        }
    }

    @Override
    public synchronized Measurement measure(Duration timeout) throws ProbeException {
        PDU pdu = options.version().equals("3") ? new ScopedPDU() : new PDU();
        pdu.setType(PDU.GET);
        for (OID oid : oids.values()) {
            pdu.add(new VariableBinding(oid));
        }
        Target<UdpAddress> target = target(timeout);
        ResponseEvent<UdpAddress> r;
        try {
            r = Session.INSTANCE.snmp.send(pdu, target);
        } catch (IOException e) {
            throw new ProbeException("SNMP GET to " + address + ": " + e.getMessage(), e);
        }
        PDU response = r.getResponse();
        if (response == null) {
            throw new ProbeException("SNMP agent " + address + " did not answer within " + timeout.toMillis() + " ms"
                    + (r.getError() == null ? "" : ": " + r.getError().getMessage()));
        }
        if (response.getType() == PDU.REPORT) {
            // USM refused us: unknown user, wrong digest (password), not in time window...
            throw new ProbeException("SNMP agent " + address + " refused the request: report "
                    + (response.size() > 0 ? response.get(0).getOid() : "without a reason"));
        }
        if (response.getErrorStatus() != PDU.noError) {
            throw new ProbeException("SNMP agent " + address + ": " + response.getErrorStatusText());
        }
        if (response.size() != oids.size()) {
            throw new ProbeException("SNMP agent " + address + " answered " + response.size() + " values for " + oids.size() + " OIDs");
        }
        long now = System.nanoTime();
        Map<String, Double> values = new HashMap<>();
        int i = 0;
        for (Map.Entry<String, OID> named : oids.entrySet()) {
            VariableBinding vb = response.get(i++);
            if (vb.getVariable().isException()) {
                throw new ProbeException("SNMP agent " + address + ": " + named.getValue() + " (" + named.getKey() + "): "
                        + vb.getVariable());
            }
            if (vb.getVariable() instanceof Counter32 || vb.getVariable() instanceof Counter64) {
                long value = vb.getVariable().toLong();
                long[] last = lastCounters.put(named.getKey(), new long[]{value, now});
                if (last != null && now > last[1]) {
                    long delta = value - last[0];
                    if (delta < 0 && vb.getVariable() instanceof Counter32) {
                        delta += 1L << 32;
                    }
                    if (delta >= 0) {
                        values.put(named.getKey(), delta / ((now - last[1]) / 1e9));
                    }
                }
            } else {
                try {
                    values.put(named.getKey(), (double) vb.getVariable().toLong());
                } catch (UnsupportedOperationException e) {
                    throw new ProbeException(named.getKey() + " (" + named.getValue() + ") is not a number: " + vb.getVariable());
                }
            }
        }
        return Measurement.of(values);
    }

    private Target<UdpAddress> target(Duration timeout) {
        UdpAddress a = (UdpAddress) GenericAddress.parse("udp:" + address.replace(":", "/").replaceFirst("^\\[(.*)]/", "$1/"));
        Target<UdpAddress> t;
        if (options.version().equals("3")) {
            UserTarget<UdpAddress> u = new UserTarget<>();
            u.setSecurityLevel(SecurityLevel.AUTH_PRIV);
            u.setSecurityName(new OctetString(options.user()));
            u.setVersion(SnmpConstants.version3);
            t = u;
        } else {
            CommunityTarget<UdpAddress> c = new CommunityTarget<>();
            c.setCommunity(new OctetString(options.community()));
            c.setVersion(SnmpConstants.version2c);
            t = c;
        }
        t.setAddress(a);
        t.setTimeout(Math.max(1, timeout.toMillis()));
        t.setRetries(0);
        return t;
    }

    public static final class Kind implements ProbeKind {
        @Override
        public String key() {
            return "snmp";
        }

        @Override
        public void validate(ProbeConfig c) {
            c.requireOnly("target", "oids", "snmp");
            c.requireTarget("host or host:port of the agent");
            if (c.snmp() == null) {
                throw new IllegalArgumentException("an snmp probe needs snmp: {version: 2c, community: ...} or {version: 3, user: ...}");
            }
            if (c.oids() == null || c.oids().isEmpty()) {
                throw new IllegalArgumentException("an snmp probe needs oids: {name: 1.3.6...}");
            }
            oids(c);
        }

        private static Map<String, OID> oids(ProbeConfig c) {
            Map<String, OID> out = new LinkedHashMap<>();
            c.oids().forEach((name, oid) -> {
                if (!oid.matches("\\.?[0-9]+(\\.[0-9]+)+")) {
                    throw new IllegalArgumentException("oid " + name + " is not numeric (1.3.6.1...): " + oid);
                }
                out.put(name, new OID(oid.startsWith(".") ? oid.substring(1) : oid));
            });
            return out;
        }

        @Override
        public Probe create(ProbeConfig c) {
            String address = c.target().contains(":") && !c.target().startsWith("[") || c.target().matches("\\[.*]:\\d+")
                    ? c.target() : c.target() + ":161";
            return new SnmpProbe(address, c.snmp(), oids(c));
        }
    }
}
