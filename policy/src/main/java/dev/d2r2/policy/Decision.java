package dev.d2r2.policy;

import java.util.List;

/**
 * The concrete answer for (subject, action, object): permitted, prohibited or neither, the rule
 * that decided it, and the obligations in force.
 */
public record Decision(Verdict verdict, String rule, List<String> obligations) {
    public enum Verdict { PERMITTED, PROHIBITED, NOT_APPLICABLE }
}
