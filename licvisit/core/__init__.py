"""Pure analysis: attribution, risk, backtest, roster, routing. No printing, no file I/O."""
