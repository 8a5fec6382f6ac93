"""Pure figure builders: DataFrame in, plotly Figure out. No queries, no Dash."""
