package web

// OnLiveRender has s call f whenever a live-tally feed renders a chart:
// proposal id at height in lang. Set it before any stream opens.
func OnLiveRender(s *Site, f func(id uint64, height int64, lang string)) { s.live.rendered = f }
