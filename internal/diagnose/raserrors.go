package diagnose

// RASError is one Remote Access error code from raserror.h, as Windows shows
// it in a dial-up or VPN error dialog ("Error 633: ...").
type RASError struct {
	Code int
	// Name is the raserror.h constant.
	Name string
	// Text is the message Windows shows (English).
	Text string
	// Cause is what this code usually means for a local port or device,
	// or "" when the error is about the server, the network or
	// credentials, where looking at local holders does not help.
	Cause Cause
}

// RASErrors are the raserror.h codes worth naming, in code order. The two
// traycheck exists for are 602 and 633; the neighbours are the ones users
// meet around them, so `traycheck explain` can tell a local conflict from a
// server or network failure.
var RASErrors = []RASError{
	{600, "PENDING", "An operation is pending.", ""},
	{602, "ERROR_PORT_ALREADY_OPEN", "The specified port is already open.", OtherApp},
	{603, "ERROR_BUFFER_TOO_SMALL", "The buffer supplied is too small.", ""},
	{606, "ERROR_PORT_NOT_CONNECTED", "The port specified is not connected.", StaleAfterWake},
	{608, "ERROR_DEVICE_DOES_NOT_EXIST", "The specified device does not exist.", DeviceMissing},
	{609, "ERROR_DEVICETYPE_DOES_NOT_EXIST", "The specified device type does not exist.", DeviceMissing},
	{615, "ERROR_PORT_NOT_FOUND", "The specified port was not found.", DeviceMissing},
	{617, "ERROR_ALREADY_DISCONNECTING", "The specified port or device is already disconnecting.", StaleAfterWake},
	{618, "ERROR_PORT_NOT_OPEN", "The specified port is not open.", ""},
	{619, "ERROR_PORT_DISCONNECTED", "A connection to the remote computer could not be established, so the port used for this connection was closed.", ""},
	{620, "ERROR_NO_ENDPOINTS", "No endpoints could be determined.", ""},
	{623, "ERROR_CANNOT_FIND_PHONEBOOK_ENTRY", "Cannot find the specified phone book entry.", ""},
	{628, "ERROR_DISCONNECTION", "The connection was terminated by the remote computer before it could be completed.", ""},
	{629, "ERROR_REMOTE_DISCONNECTION", "The connection was closed by the remote computer.", ""},
	{630, "ERROR_HARDWARE_FAILURE", "The modem (or other connecting device) was disconnected due to hardware failure.", DeviceMissing},
	{631, "ERROR_USER_DISCONNECTION", "The connection was closed by the user.", ""},
	{633, "ERROR_PORT_NOT_AVAILABLE", "The modem (or other connecting device) is already in use or is not configured properly.", OtherApp},
	{638, "ERROR_REQUEST_TIMEOUT", "The request has timed out.", ""},
	{651, "ERROR_FROM_DEVICE", "The modem (or other connecting device) has reported an error.", StaleAfterWake},
	{678, "ERROR_NO_ANSWER", "The remote computer did not respond.", ""},
	{691, "ERROR_AUTHENTICATION_FAILURE", "Access was denied because the username and/or password was invalid on the domain.", ""},
	{692, "ERROR_PORT_OR_DEVICE", "There was a hardware failure in the modem (or other connecting device).", StaleAfterWake},
	{720, "ERROR_PPP_NO_PROTOCOLS_CONFIGURED", "A connection to the remote computer could not be established. You might need to change the network settings for this connection.", ""},
	{797, "ERROR_CONNECTING_DEVICE_NOT_FOUND", "A connection to the remote computer could not be established because the modem was not found or was busy.", OtherApp},
	{800, "ERROR_AUTOMATIC_VPN_FAILED", "Unable to establish the VPN connection. The VPN server may be unreachable, or security parameters may not be configured properly for this connection.", ""},
	{807, "ERROR_VPN_DISCONNECT", "The network connection between your computer and the VPN server was interrupted.", StaleAfterWake},
	{809, "ERROR_VPN_TIMEOUT", "The network connection between your computer and the VPN server could not be established because the remote server is not responding.", ""},
	{812, "ERROR_AUTH_PROTOCOL_RESTRICTION", "The connection was prevented because of a policy configured on your RAS/VPN server.", ""},
}

// LookupRASError returns the entry for code, if RASErrors names it.
func LookupRASError(code int) (RASError, bool) {
	for _, e := range RASErrors {
		if e.Code == code {
			return e, true
		}
	}
	return RASError{}, false
}
