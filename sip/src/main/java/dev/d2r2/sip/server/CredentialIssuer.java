package dev.d2r2.sip.server;

/**
 * Issues CoSIP credentials on REGISTER (issue 21 item 6): a REGISTER that names its proxy's public
 * key in an {@code X-CoSIP-Key} header gets, in its 200, an {@code X-CoSIP-Credential} header with
 * what this returns. The format is the cosip module's; the server only carries it.
 */
@FunctionalInterface
public interface CredentialIssuer {
    String KEY_HEADER = "X-CoSIP-Key";
    String CREDENTIAL_HEADER = "X-CoSIP-Credential";

    /** The credential binding {@code aor} to {@code key} (as the header gave it), or null to give none. */
    String issue(String aor, String key);
}
