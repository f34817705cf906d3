python3 /solution/solve.py
