"""Read and write files: every source's columns mapped onto licvisit's glossary."""
