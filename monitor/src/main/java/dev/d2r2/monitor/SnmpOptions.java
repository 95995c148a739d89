package dev.d2r2.monitor;

/**
 * How an {@code snmp} probe talks to its agent: v2c with a community, or v3 with a USM user
 * ({@code authPriv}: auth {@code SHA}, {@code SHA256} or {@code MD5}; priv {@code AES} or {@code DES}).
 */
public record SnmpOptions(String version, String community, String user, String auth, String authPassword,
                          String priv, String privPassword) {
    public SnmpOptions {
        version = version == null ? "2c" : version;
        switch (version) {
            case "2c" -> {
                if (community == null) {
                    throw new IllegalArgumentException("SNMP v2c needs a community");
                }
                if (user != null || auth != null || priv != null) {
                    throw new IllegalArgumentException("SNMP v2c takes a community, not a user, auth or priv");
                }
            }
            case "3" -> {
                if (user == null || auth == null || authPassword == null || priv == null || privPassword == null) {
                    throw new IllegalArgumentException("SNMP v3 (authPriv) needs user, auth, authPassword, priv and privPassword");
                }
                if (!auth.matches("SHA|SHA256|MD5")) {
                    throw new IllegalArgumentException("auth must be SHA, SHA256 or MD5, not " + auth);
                }
                if (!priv.matches("AES|DES")) {
                    throw new IllegalArgumentException("priv must be AES or DES, not " + priv);
                }
                if (authPassword.length() < 8 || privPassword.length() < 8) {
                    throw new IllegalArgumentException("SNMP v3 passwords have at least 8 characters");
                }
                if (community != null) {
                    throw new IllegalArgumentException("SNMP v3 takes a user, not a community");
                }
            }
            default -> throw new IllegalArgumentException("SNMP version must be 2c or 3, not " + version);
        }
    }
}
