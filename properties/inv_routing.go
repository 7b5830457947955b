package properties

func sc46BareMessageNotToNegativePriority(c *Ctx) error { return nil }
func sc47BareMessageToEveryTopResource(c *Ctx) error    { return nil }
func sc48NoOfflineFlushAtNegativePriority(c *Ctx) error { return nil }
