package io.autoweave.api.device;

import java.util.List;
import java.util.Objects;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One USB device as the runtime knows it: its identity (what it is) and its location (where it is plugged).
 *
 * <p>Identity fields feed the {@link #signature() signature}; location fields ({@code busNumber},
 * {@code deviceAddress}, {@code portPath}) do not, so the same device keeps its signature on any port.
 * String fields are {@code null} when the device does not report them or cannot be opened.
 *
 * @param vendorId idVendor, 0..0xFFFF
 * @param productId idProduct, 0..0xFFFF
 * @param serial iSerialNumber string, or null
 * @param manufacturer iManufacturer string, or null
 * @param product iProduct string, or null
 * @param deviceClass bDeviceClass
 * @param deviceSubclass bDeviceSubClass
 * @param deviceProtocol bDeviceProtocol
 * @param interfaceClasses bInterfaceClass of each interface of the active configuration, in interface order
 * @param bcdDevice device release number
 * @param busNumber bus number, or -1 when unknown
 * @param deviceAddress device address on its bus, or -1 when unknown
 * @param portPath port chain such as {@code 1-2.3}, or null when unknown
 * @param signature stable identity hash (lower-case hex SHA-256), see the pipeline's README for what is hashed
 */
@ProviderType
public record UsbDevice(
        int vendorId,
        int productId,
        String serial,
        String manufacturer,
        String product,
        int deviceClass,
        int deviceSubclass,
        int deviceProtocol,
        List<Integer> interfaceClasses,
        int bcdDevice,
        int busNumber,
        int deviceAddress,
        String portPath,
        String signature) {

    public UsbDevice {
        if (vendorId < 0 || vendorId > 0xFFFF) {
            throw new IllegalArgumentException("vendorId out of range 0..0xFFFF: " + vendorId);
        }
        if (productId < 0 || productId > 0xFFFF) {
            throw new IllegalArgumentException("productId out of range 0..0xFFFF: " + productId);
        }
        interfaceClasses = interfaceClasses == null ? List.of() : List.copyOf(interfaceClasses);
    }

    /** Vendor id as four lower-case hex digits, as lsusb prints it. */
    public String vendorHex() {
        return String.format("%04x", vendorId);
    }

    /** Product id as four lower-case hex digits. */
    public String productHex() {
        return String.format("%04x", productId);
    }

    /** Returns a copy carrying {@code newSignature}. */
    public UsbDevice withSignature(String newSignature) {
        return Objects.equals(signature, newSignature) ? this
                : new UsbDevice(vendorId, productId, serial, manufacturer, product, deviceClass, deviceSubclass,
                        deviceProtocol, interfaceClasses, bcdDevice, busNumber, deviceAddress, portPath, newSignature);
    }
}
