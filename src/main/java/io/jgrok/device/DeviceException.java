package io.jgrok.device;

/**
 * A device could not be used or a device operation failed. The message is one line a user can act on (no driver,
 * no device, PTX too new for the driver, out of memory, ...).
 */
public class DeviceException extends RuntimeException {
    public DeviceException(String message) {
        super(message);
    }

    public DeviceException(String message, Throwable cause) {
        super(message, cause);
    }
}
