package scenarios_test

import (
	"fmt"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
)

// echoServer is a tiny sim.Backend for testing the runner without the
// model: a stanza whose "to" is a bound full JID is delivered there with
// the sender's "from"; any other stanza is echoed back to its sender.
// <kill/> makes the server close the sender's session with a stream
// error.
type echoServer struct {
	next     model.SessionID
	sessions map[model.SessionID]model.JID
}

func newEchoServer() *echoServer {
	return &echoServer{sessions: make(map[model.SessionID]model.JID)}
}

func (s *echoServer) Bind(user, resource string) (model.SessionID, model.JID, []model.Event, error) {
	s.next++
	if resource == "" {
		resource = fmt.Sprintf("gen%d", s.next)
	}
	j, err := model.ParseJID(user + "@localhost/" + resource)
	if err != nil {
		return 0, model.JID{}, nil, err
	}
	s.sessions[s.next] = j
	return s.next, j, nil, nil
}

func (s *echoServer) Process(id model.SessionID, st *etree.Element) []model.Event {
	from := s.sessions[id]
	if st.Tag == "kill" {
		se := etree.NewElement("stream:error")
		return []model.Event{
			{Kind: model.StreamError, Session: id, To: from, Stanza: se},
			{Kind: model.Closed, Session: id, Reason: "killed"},
		}
	}
	st.CreateAttr("from", from.String())
	to := st.SelectAttrValue("to", "")
	for sid, j := range s.sessions {
		if j.String() == to {
			return []model.Event{{Kind: model.Deliver, Session: sid, To: j, Stanza: st}}
		}
	}
	return []model.Event{{Kind: model.Deliver, Session: id, To: from, Stanza: st}}
}

func (s *echoServer) Close(id model.SessionID, abrupt bool) []model.Event {
	delete(s.sessions, id)
	return nil
}

var _ sim.Backend = (*echoServer)(nil)
