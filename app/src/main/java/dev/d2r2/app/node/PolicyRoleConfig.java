package dev.d2r2.app.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.policy.PolicyRole;

import java.util.List;

/** The policy role: its policy file and audit trail (relative to the configuration's directory), channels, dry run. */
public record PolicyRoleConfig(String file, List<String> inputs, String actions, String audit,
                               @JsonProperty("dry-run") Boolean dryRun) {
    public PolicyRoleConfig {
        if (file == null) {
            throw new IllegalArgumentException("policy needs file: FILE");
        }
        inputs = inputs == null ? List.of(PolicyRole.DEFAULT_INPUT) : List.copyOf(inputs);
        actions = actions == null ? PolicyRole.DEFAULT_ACTIONS : actions;
        audit = audit == null ? "audit.jsonl" : audit;
        dryRun = dryRun != null && dryRun;
    }
}
