package io.autoweave.usb.pipeline.internal.rules;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import io.autoweave.api.device.UsbDevice;

/**
 * One parsed rule: a target and conditions that must all hold. A rule without conditions matches every device.
 *
 * @param target what the rule decides
 * @param conditions all must match
 * @param line the 1-based line in the rule text, for explaining decisions
 * @param text the rule as written, without comment
 */
public record Rule(RuleTarget target, List<Condition> conditions, int line, String text) {

    public Rule {
        conditions = List.copyOf(conditions);
    }

    boolean matches(UsbDevice device) {
        for (Condition c : conditions) {
            if (!c.test(device)) {
                return false;
            }
        }
        return true;
    }

    /** One attribute test. */
    sealed interface Condition permits Id, Serial, Manufacturer, Product, Port, DeviceOrInterfaceClass,
            InterfaceClass, Signature {
        boolean test(UsbDevice device);
    }

    /** {@code id vvvv:pppp}; -1 stands for {@code *}. */
    record Id(int vendorId, int productId) implements Condition {
        @Override
        public boolean test(UsbDevice d) {
            return (vendorId < 0 || d.vendorId() == vendorId) && (productId < 0 || d.productId() == productId);
        }
    }

    /** {@code serial "…"}: exact; a device without a serial never matches. */
    record Serial(String value) implements Condition {
        @Override
        public boolean test(UsbDevice d) {
            return value.equals(d.serial());
        }
    }

    /** {@code manufacturer "…"}: exact. */
    record Manufacturer(String value) implements Condition {
        @Override
        public boolean test(UsbDevice d) {
            return value.equals(d.manufacturer());
        }
    }

    /** {@code product "…"}: exact. */
    record Product(String value) implements Condition {
        @Override
        public boolean test(UsbDevice d) {
            return value.equals(d.product());
        }
    }

    /** {@code port "1-2.*"}: glob with {@code *} and {@code ?}; a device whose port is unknown never matches. */
    record Port(String glob, Pattern pattern) implements Condition {
        static Port of(String glob) {
            StringBuilder regex = new StringBuilder();
            for (char c : glob.toCharArray()) {
                if (c == '*') {
                    regex.append(".*");
                } else if (c == '?') {
                    regex.append('.');
                } else {
                    regex.append(Pattern.quote(String.valueOf(c)));
                }
            }
            return new Port(glob, Pattern.compile(regex.toString()));
        }

        @Override
        public boolean test(UsbDevice d) {
            return d.portPath() != null && pattern.matcher(d.portPath()).matches();
        }
    }

    /** {@code class 08}: the device class or any interface class (mass storage declares itself per interface). */
    record DeviceOrInterfaceClass(int value) implements Condition {
        @Override
        public boolean test(UsbDevice d) {
            return d.deviceClass() == value || d.interfaceClasses().contains(value);
        }
    }

    /** {@code interface 03:*:*}: any interface of that class. */
    record InterfaceClass(int value) implements Condition {
        @Override
        public boolean test(UsbDevice d) {
            return d.interfaceClasses().contains(value);
        }
    }

    /** {@code signature <64 hex>}: the device signature, case-insensitively. */
    record Signature(String value) implements Condition {
        Signature {
            value = value.toLowerCase(Locale.ROOT);
        }

        @Override
        public boolean test(UsbDevice d) {
            return d.signature() != null && value.equals(d.signature().toLowerCase(Locale.ROOT));
        }
    }
}
