package dev.d2r2.bft;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks certificates: n − f distinct members, each signature valid over the statement. The
 * same certificate reaches a replica many times (PRE-COMMIT, then in NEW-VIEW, then as a
 * proposal's justification), so the statements already proven are remembered; a later copy of a
 * proven statement is answered with the first, verified, copy — whatever its own signatures —
 * so that what the replica forwards always verifies.
 */
final class QcVerifier {
    private static final int REMEMBERED = 64;
    private final Committee committee;
    private final Signatures signatures;
    private final byte[] signed = new byte[Statement.BYTES];
    private final Map<Statement, QuorumCert> proven = new LinkedHashMap<>(REMEMBERED * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Statement, QuorumCert> eldest) {
            return size() > REMEMBERED;
        }
    };

    QcVerifier(Committee committee, Signatures signatures) {
        this.committee = committee;
        this.signatures = signatures;
    }

    /** The verified copy of {@code qc}'s statement, or null when {@code qc} is not a valid certificate. */
    QuorumCert verified(QuorumCert qc) {
        if (qc.isGenesis()) {
            return qc;
        }
        Statement statement = qc.statement();
        QuorumCert known = proven.get(statement);
        if (known != null) {
            return known;
        }
        if (qc.view() < 1 || !committee.isQuorumOfDistinctMembers(qc.signers())) {
            return null;
        }
        statement.bytes(signed);
        for (int i = 0; i < qc.signers().length; i++) {
            if (!signatures.verify(qc.signers()[i], signed, qc.signatures()[i])) {
                return null;
            }
        }
        proven.put(statement, qc);
        return qc;
    }

    /** Records a certificate this replica assembled from votes it verified one by one. */
    void remember(QuorumCert qc) {
        proven.put(qc.statement(), qc);
    }
}
