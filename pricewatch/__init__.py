"""pricewatch: track video-game prices across stores and the deals chatter around them."""
