package properties

func sc49VCardHintOnAvailablePresence(c *Ctx) error { return nil }
func sc50PendingInDroppedOnBlock(c *Ctx) error      { return nil }
func sc51StoredRequestKeepsStanza(c *Ctx) error     { return nil }
