"""ETL: turns submission files into validated rows and hands them to the warehouse."""
