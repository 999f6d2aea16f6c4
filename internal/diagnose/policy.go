package diagnose

import "strings"

// ActionSpec is the policy of one action: the one place that decides whether
// it needs a second, explicit click, whether it may ask for administrator
// rights, and how it is named. The remedy enforces Confirm; the tray menu,
// the notification keys, the console and the IPC server only read it, so
// they cannot disagree about which answer a note may carry.
type ActionSpec struct {
	// Confirm: the action ends, resets, removes or reboots something, so it
	// runs only after the user confirmed a question naming its target.
	Confirm bool
	// Elevates: the action may ask for administrator rights, always through
	// the OS prompt (pkexec, UAC), never silently.
	Elevates bool
	// Label is the button or menu text when the finding adds nothing more
	// specific ("Reset adapter"; "End python3" is built from the holder).
	Label string
	// Consequence says what a click does, for a note's body.
	Consequence string
}

var actionSpecs = map[Action]ActionSpec{
	Retry:           {Label: "Retry", Consequence: "checks again now"},
	Wait:            {Label: "Wait", Consequence: "checks again when the TIME_WAIT sockets expire"},
	EndProcess:      {Confirm: true, Label: "End process", Consequence: "stops the holder"},
	ResetAdapter:    {Confirm: true, Elevates: true, Label: "Reset adapter", Consequence: "turns the network adapter off and on"},
	RebootSuggested: {Confirm: true, Label: "Reboot suggested", Consequence: "restarts the computer"},
	RemoveLock:      {Confirm: true, Label: "Remove lock", Consequence: "deletes the stale lock file"},
	UseOtherPort:    {Label: "Use another port", Consequence: "suggests a free port to use instead"},
	CheckAsAdmin:    {Elevates: true, Label: "Check as admin", Consequence: "checks again with admin rights to name the holder"},
}

// Spec returns a's policy; ok is false for an id that is not an action.
func (a Action) Spec() (spec ActionSpec, ok bool) {
	spec, ok = actionSpecs[a]
	return spec, ok
}

// confirmKeyPrefix marks the key of a confirmation's "yes" button, and the
// action a confirming `traycheck action` names.
const confirmKeyPrefix = "confirm-"

// ConfirmKey is the key that answers a's confirmation ("confirm-end-process").
// It exists only for actions whose Spec asks for a confirmation.
func (a Action) ConfirmKey() string { return confirmKeyPrefix + string(a) }

// ParseKey maps an answer key (a notification button, `traycheck action
// KEY`) to its action. confirmed is true only for a confirmation key of an
// action whose Spec asks for one; ok is false for anything else (a forged or
// stale key does nothing).
func ParseKey(key string) (a Action, confirmed, ok bool) {
	s, confirmed := strings.CutPrefix(key, confirmKeyPrefix)
	spec, known := Action(s).Spec()
	if !known || (confirmed && !spec.Confirm) {
		return "", false, false
	}
	return Action(s), confirmed, true
}

// CancelKey answers a confirmation with no: nothing is done.
const CancelKey = "cancel"
