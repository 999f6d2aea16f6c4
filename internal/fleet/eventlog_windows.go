package fleet

import (
	"fmt"
	"sync"

	"golang.org/x/sys/windows/svc/eventlog"
)

// EventSource is the Application log source the fleet MSI registers, with
// traycheck-events.dll (the message table) as the EventMessageFile.
const EventSource = "traycheck"

// EventLog writes events to the Windows Application log. Without the
// installer's registration the events are still written; Event Viewer then
// shows them without the table's text.
type EventLog struct {
	Source       string // EventSource unless a test uses its own
	ShareCmdline bool

	mu  sync.Mutex
	log *eventlog.Log
}

// Write reports one event with its id and type from Table; the insertion
// string is the message followed by the structured fields, one per line.
func (w *EventLog) Write(e Event) error {
	spec, ok := SpecFor(e.Kind)
	if !ok {
		return fmt.Errorf("eventlog: no event id for %q", e.Kind)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.log == nil {
		src := w.Source
		if src == "" {
			src = EventSource
		}
		l, err := eventlog.Open(src)
		if err != nil {
			return fmt.Errorf("eventlog: %w", err)
		}
		w.log = l
	}
	text := EventText(e.Fields(w.ShareCmdline))
	var err error
	switch {
	case spec.Priority <= PriErr:
		err = w.log.Error(spec.EventID, text)
	case spec.Priority == PriWarning:
		err = w.log.Warning(spec.EventID, text)
	default:
		err = w.log.Info(spec.EventID, text)
	}
	if err != nil {
		return fmt.Errorf("eventlog: %w", err)
	}
	return nil
}

// Close releases the event source handle.
func (w *EventLog) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.log == nil {
		return nil
	}
	err := w.log.Close()
	w.log = nil
	return err
}
