"""ndas"""
