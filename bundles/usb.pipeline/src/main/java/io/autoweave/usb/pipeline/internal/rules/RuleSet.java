package io.autoweave.usb.pipeline.internal.rules;

import java.util.List;
import java.util.Objects;

import io.autoweave.api.device.UsbDevice;

/**
 * Ordered rules, first match wins, with a default target when none matches.
 *
 * @param rules in file order
 * @param defaultTarget the decision when no rule matches
 */
public record RuleSet(List<Rule> rules, RuleTarget defaultTarget) {

    /** Why a device got its target: the matching rule, or null when the default applied. */
    public record Decision(RuleTarget target, Rule rule) {
        boolean byDefault() {
            return rule == null;
        }
    }

    public RuleSet {
        rules = List.copyOf(rules);
        Objects.requireNonNull(defaultTarget, "defaultTarget");
    }

    public static RuleSet parse(String text, RuleTarget defaultTarget) {
        return new RuleSet(RuleParser.parse(text), defaultTarget);
    }

    static RuleSet allowAll() {
        return new RuleSet(List.of(), RuleTarget.ALLOW);
    }

    public Decision decide(UsbDevice device) {
        for (Rule rule : rules) {
            if (rule.matches(device)) {
                return new Decision(rule.target(), rule);
            }
        }
        return new Decision(defaultTarget, null);
    }
}
